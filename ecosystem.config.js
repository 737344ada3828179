// PM2: `npm run build && pm2 start ecosystem.config.js`. This package is ESM; PM2 require()s this file,
// which Node >= 20.19 allows for ES modules, and reads the `apps` export.
export const apps = [
  {
    name: 'kivy-render-bot',
    script: 'dist/src/index.js',
    cwd: import.meta.dirname,
    // One process: the pool, the cache and the rate limits live in it.
    instances: 1,
    exec_mode: 'fork',
    // The bot reports 'ready' once Discord and the engine are up (the first start may build the image).
    wait_ready: true,
    listen_timeout: 300_000,
    // SIGINT, then time to drain: renders in flight finish (render timeout + removal), their replies go out.
    kill_timeout: 30_000,
    max_restarts: 10,
    // Exit code 2 is a configuration error: restarting cannot help.
    stop_exit_codes: [2],
    restart_delay: 5_000,
    env: { NODE_ENV: 'production' },
  },
];
