/** The shape of `window.api` as the renderer sees it. */
export interface PreloadApi {
  readonly productName: string;
}
