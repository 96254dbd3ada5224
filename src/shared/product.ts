/** The product's name: package, CLI and window title. */
export const PRODUCT_NAME = 'strikedesk';
