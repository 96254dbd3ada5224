import { PRODUCT_NAME } from '../../shared/product';

/** Placeholder shell until the desktop UI issue lands its watchlists and chains. */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 24 }}>
      <h1>{PRODUCT_NAME}</h1>
      <p>Option-chain workstation for NSE, BSE and MCX. The trading UI arrives with the desktop UI issue.</p>
    </main>
  );
}
