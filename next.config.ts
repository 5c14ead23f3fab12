import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // PGlite ships WASM and data files that must load from node_modules, not a bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'postgres'],
  poweredByHeader: false,
  // `npm test` typechecks the whole project (app, scripts, tests) on its own; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
