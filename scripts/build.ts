/** `npm run build`: a production build, stamped so `npm start` knows it is current. */
import { ensureBuild } from './lib/build';

try {
  ensureBuild(process.cwd(), (line) => console.log(`[tollgate] ${line}`), process.argv.includes('--force'));
} catch (error) {
  console.error(`[tollgate] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
