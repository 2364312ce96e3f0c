// The media tools as a set (pictures of the accommodation and public areas, and the menus), for tests that want
// them alone; the service registers each in tools/index.ts TOOLS.
import type { MenuDocuments } from '../../media/menu-documents.js';
import type { ToolDefinition } from '../types.js';
import type { MediaFiles } from './show-picture-set.js';
import { createSendBungalowPicturesTool } from './send-bungalow-pictures.js';
import { createSendMenuPdfTool } from './send-menu-pdf.js';
import { createSendMenuPricesTool } from './send-menu-prices.js';
import { createSendPublicAreasPicturesTool } from './send-public-areas-pictures.js';

export interface MediaToolDeps extends MediaFiles {
  menus?: MenuDocuments | undefined;
}

export function createMediaTools(deps: MediaToolDeps): ToolDefinition[] {
  return [
    createSendBungalowPicturesTool(deps),
    createSendPublicAreasPicturesTool(deps),
    createSendMenuPdfTool(deps),
    createSendMenuPricesTool(deps),
  ];
}
