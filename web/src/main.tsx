// web: entry point: read /config.json, pick the sign-in, render the app
import { render } from 'preact';
import { App } from './app';
import { createAuth } from './auth/create-auth';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  loadConfig()
    .then((config) => render(<App config={config} auth={createAuth(config)} />, root))
    .catch((error: unknown) =>
      render(
        <main class="startup-error">
          <h1>sesdesk could not start</h1>
          <p>{error instanceof Error ? error.message : String(error)}</p>
        </main>,
        root,
      ),
    );
}
