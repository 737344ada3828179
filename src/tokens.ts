/** One injection token per service interface (tsyringe). */
export const Tokens = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  DockerService: Symbol('DockerService'),
  ImageManager: Symbol('ImageManager'),
  ContainerPool: Symbol('ContainerPool'),
  Renderer: Symbol('Renderer'),
  CacheManager: Symbol('CacheManager'),
  CodeProcessor: Symbol('CodeProcessor'),
  KivyValidator: Symbol('KivyValidator'),
  SyntaxChecker: Symbol('SyntaxChecker'),
  RenderStats: Symbol('RenderStats'),
  // The Discord layer (registered when a BotConfig is given).
  BotConfig: Symbol('BotConfig'),
  RenderResponder: Symbol('RenderResponder'),
  RateLimiter: Symbol('RateLimiter'),
  TemplateLibrary: Symbol('TemplateLibrary'),
  StatusReporter: Symbol('StatusReporter'),
  CodeDownloader: Symbol('CodeDownloader'),
} as const;
