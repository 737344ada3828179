import 'reflect-metadata';
import type { DependencyContainer } from 'tsyringe';
import { CodeDownloader } from './bot/code-downloader.js';
import { RateLimiter } from './bot/rate-limiter.js';
import { RenderResponder } from './bot/render-responder.js';
import { StatusReporter } from './bot/status-reporter.js';
import { TemplateLibrary } from './bot/template-library.js';
import type { BotConfig, EngineConfig } from './config.js';
import { CacheManager } from './core/cache-manager.js';
import { ContainerPool } from './core/container-pool.js';
import { ImageManager } from './core/image-manager.js';
import { RenderStats } from './core/render-stats.js';
import { Renderer } from './core/renderer.js';
import { CodeProcessor } from './services/code-processor.js';
import { DockerService } from './services/docker-service.js';
import { KivyValidator } from './services/kivy-validator.js';
import { SyntaxChecker } from './services/syntax-checker.js';
import { Tokens } from './tokens.js';
import type { Logger } from './utils/logger.js';

/**
 * The one composition root: registers every service on a child of `parent` and returns it. With a
 * `botConfig`, the Discord layer's services too (the CLI passes none).
 */
export function registerServices(parent: DependencyContainer, config: EngineConfig, logger: Logger, botConfig?: BotConfig): DependencyContainer {
  const container = parent.createChildContainer();
  container.register(Tokens.Config, { useValue: config });
  container.register(Tokens.Logger, { useValue: logger });
  container.registerSingleton(Tokens.DockerService, DockerService);
  container.registerSingleton(Tokens.ImageManager, ImageManager);
  container.registerSingleton(Tokens.ContainerPool, ContainerPool);
  container.registerSingleton(Tokens.CacheManager, CacheManager);
  container.registerSingleton(Tokens.CodeProcessor, CodeProcessor);
  container.registerSingleton(Tokens.KivyValidator, KivyValidator);
  container.registerSingleton(Tokens.SyntaxChecker, SyntaxChecker);
  container.registerSingleton(Tokens.RenderStats, RenderStats);
  container.registerSingleton(Tokens.Renderer, Renderer);
  if (botConfig) {
    container.register(Tokens.BotConfig, { useValue: botConfig });
    container.registerSingleton(Tokens.RateLimiter, RateLimiter);
    container.registerSingleton(Tokens.CodeDownloader, CodeDownloader);
    container.registerSingleton(Tokens.TemplateLibrary, TemplateLibrary);
    container.registerSingleton(Tokens.StatusReporter, StatusReporter);
    container.registerSingleton(Tokens.RenderResponder, RenderResponder);
  }
  return container;
}
