// Written by load_additional_modules, read back by the agent from the stored outputs to know a conversation's
// loaded modules (agent/loaded-modules.ts).
/** The lines of a load_additional_modules output, each `[<header><paths joined by ", ">]` (see the tool). */
export const OUTPUT_HEADERS = {
  loaded: '[Módulos cargados: ',
  inInstructions: '[Ya están en tus instrucciones (LOADED MODULES): ',
  /** The earlier form's line for the same, when the text was in the transcript. */
  repeatedBefore: '[Ya cargados antes en esta conversación, su texto está más arriba: ',
  inBase: '[Ya están en tus instrucciones base, no hace falta cargarlos: ',
  inThisCall: '[Incluidos en otro módulo de esta misma carga: ',
  removed: '[Retirados de tus instrucciones para dejar espacio, cárgalos de nuevo si hacen falta: ',
} as const;

/** The last line of an output that loaded or found loaded something. */
export const IN_INSTRUCTIONS_NOTE = 'Su texto está en tus instrucciones, en LOADED MODULES, y sigue ahí en los próximos turnos.';
