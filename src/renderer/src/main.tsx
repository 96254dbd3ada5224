import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createTransport } from './api/client';
import './styles/app.css';

/** localStorage, or none when the browser refuses it (the layout is then simply not remembered). */
function layoutStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const transport = createTransport();
window.addEventListener('pagehide', () => transport.close());
createRoot(root).render(
  <StrictMode>
    <App transport={transport} storage={layoutStorage()} />
  </StrictMode>,
);
