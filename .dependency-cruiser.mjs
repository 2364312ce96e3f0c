// The layers of src/ (docs/architecture.md, "Layers"), checked by `npm run lint`. Type-only imports count:
// a type cycle still means two modules cannot be understood apart.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle between files of src/, type imports included.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-the-bottom',
      severity: 'error',
      comment:
        'src/core/ (transcript, messages, reply parts, usage, prices, model config names and rules, content types) imports nothing else in src/.',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'hotel-rules-over-core',
      severity: 'error',
      comment:
        'src/hotel-rules/ (the hotel\'s value formats, dates, rooms, occupancy, pricing, the payment rule, the ledger rows) is pure: it imports only src/core/.',
      from: { path: '^src/hotel-rules/' },
      to: { path: '^src/', pathNot: '^src/(hotel-rules|core)/' },
    },
    {
      name: 'hotel-below-tools',
      severity: 'error',
      comment:
        'The hotel\'s services stand on the store and the rules; the tools, the portals and the agent call them, not the other way (their wiring is composition/hotel-backends.ts).',
      from: { path: '^src/hotel/' },
      to: { path: '^src/(tools|portals|agent|channels|platforms|handoff)/' },
    },
    {
      name: 'portals-below-tools',
      severity: 'error',
      comment: 'The payment portals read and write the ledgers; the payment tools and the hotel\'s wiring call them, not the other way.',
      from: { path: '^src/portals/' },
      to: { path: '^src/(tools|hotel|agent)/' },
    },
    {
      name: 'src-not-test',
      severity: 'error',
      comment: 'Nothing in src/ imports test code.',
      from: { path: '^src/' },
      to: { path: '^test/' },
    },
    {
      name: 'store-below-features',
      severity: 'error',
      comment:
        'The store persists what the features decide; it does not call up into the agent, the tools, the hotel\'s services, the portals, the office, the buffer or the delivery side (it types against core/ and hotel-rules/).',
      from: { path: '^src/store/' },
      to: {
        path: '^src/(agent|tools|hotel|portals|office|compare|cli|routes|dashboard|platforms|channels|buffer|handoff|media|email|staff|monitoring|metrics|report|legacy|ingest|composition)/|^src/(app|server|services)\\.ts$',
      },
    },
    {
      name: 'tools-below-agent',
      comment:
        'The agent runs the tools; a tool declares what it needs from the agent (tools/types.ts, tools/instructions/module-source.ts) instead of importing it.',
      severity: 'error',
      from: { path: '^src/tools/' },
      to: { path: '^src/agent/' },
    },
    {
      name: 'channels-below-platforms',
      comment:
        'src/channels/ is what the platform clients share (HTTP, retries, text splitting, the client contract); it does not reach into a platform.',
      severity: 'error',
      from: { path: '^src/channels/' },
      to: { path: '^src/platforms/' },
    },
    {
      name: 'platforms-below-media',
      comment: 'Guest media (src/media/) downloads through the platforms; a platform client does not import media code.',
      severity: 'error',
      from: { path: '^src/platforms/' },
      to: { path: '^src/media/' },
    },
    {
      name: 'features-type-against-their-slices',
      severity: 'error',
      comment:
        'A feature reads its own configuration slice (<feature>/config.ts, the model slice core/llm-config.ts), never the root Config: config.ts composes the slices, so a feature importing it would make the root and the feature import each other.',
      from: { path: '^src/', pathNot: '^src/(server|services|app|config)\\.ts$|^src/cli/|^src/compare/|^src/composition/' },
      to: { path: '^src/(config|original-variables)\\.ts$' },
    },
    {
      name: 'composition-root-on-top',
      severity: 'error',
      comment:
        'The wiring (app.ts, services.ts and the composition root, src/composition/) is imported only by the entry points, the comparison and itself.',
      from: { path: '^src/', pathNot: '^src/(server|services|app)\\.ts$|^src/cli/|^src/compare/|^src/composition/' },
      to: { path: '^src/(app|server|services)\\.ts$|^src/composition/' },
    },
    {
      name: 'entry-points-on-top',
      severity: 'error',
      comment: 'Command-line entry points (src/cli/) are imported by nothing but themselves and server.ts (--migrate).',
      from: { path: '^src/', pathNot: '^src/cli/|^src/server\\.ts$' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'routes-from-the-app',
      severity: 'error',
      comment: 'HTTP routes are registered by app.ts (services.ts builds their parts); no feature imports a route.',
      from: { path: '^src/', pathNot: '^src/routes/|^src/(app|services)\\.ts$' },
      to: { path: '^src/routes/' },
    },
    {
      name: 'dashboard-behind-routes',
      severity: 'error',
      comment: 'The admin dashboard is reached through its routes only.',
      from: { path: '^src/', pathNot: '^src/(dashboard|routes)/' },
      to: { path: '^src/dashboard/' },
    },
    {
      name: 'compare-from-its-command',
      severity: 'error',
      comment: 'The offline comparison (npm run compare) is used by its command only.',
      from: { path: '^src/', pathNot: '^src/(compare|cli)/' },
      to: { path: '^src/compare/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
