import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { injectable } from 'tsyringe';
import { TEMPLATES_DIR } from '../utils/paths.js';

export interface StarterTemplate {
  name: string;
  title: string;
  description: string;
  /** File name under src/templates/starters (its extension tells Python from KV). */
  filename: string;
  code: string;
}

export interface ITemplateLibrary {
  list(): StarterTemplate[];
  get(name: string): StarterTemplate | undefined;
  /** Templates whose name, title or description contains `query` (all for ''), best first. */
  search(query: string, limit?: number): StarterTemplate[];
}

export const STARTERS_DIR = join(TEMPLATES_DIR, 'starters');

/** The starter templates: code files plus `index.json` (name, title, description, file), read once. */
@injectable()
export class TemplateLibrary implements ITemplateLibrary {
  private readonly templates: StarterTemplate[];

  constructor() {
    const index = JSON.parse(readFileSync(join(STARTERS_DIR, 'index.json'), 'utf8')) as Omit<StarterTemplate, 'code'>[];
    this.templates = index.map((entry) => ({ ...entry, code: readFileSync(join(STARTERS_DIR, entry.filename), 'utf8') }));
  }

  list(): StarterTemplate[] {
    return [...this.templates];
  }

  get(name: string): StarterTemplate | undefined {
    return this.templates.find((template) => template.name === name);
  }

  search(query: string, limit = 25): StarterTemplate[] {
    const needle = query.trim().toLowerCase();
    const score = (template: StarterTemplate) =>
      template.name.startsWith(needle) ? 0 : template.name.includes(needle) ? 1 : `${template.title} ${template.description}`.toLowerCase().includes(needle) ? 2 : 3;
    return this.templates
      .map((template) => ({ template, rank: score(template) }))
      .filter(({ rank }) => rank < 3)
      .sort((a, b) => a.rank - b.rank)
      .slice(0, limit)
      .map(({ template }) => template);
  }
}
