/**
 * Preload: exposes a narrow, typed `window.api` built from the contract in src/shared. Until the
 * contract's transports land it exposes only the product's identity.
 */
import { contextBridge } from 'electron';
import { PRODUCT_NAME } from '../shared/product';
import type { PreloadApi } from './api';

const api: PreloadApi = { productName: PRODUCT_NAME };
contextBridge.exposeInMainWorld('api', api);
