// The dashboard's stylesheet, served as a file (/admin/estilo.css) so the pages need no inline style and the
// Content-Security-Policy can say `style-src 'self'`.
export const STYLESHEET = `
:root { color-scheme: light; --fg: #24292f; --muted: #57606a; --line: #d8dee4; --accent: #0969da; --bad: #cf222e; --warn: #9a6700; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f6f8fa; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 600; }
nav { display: flex; flex-wrap: wrap; align-items: center; gap: .8rem; flex: 1; }
nav a { color: var(--accent); text-decoration: none; }
nav a[aria-current="page"] { font-weight: 600; text-decoration: underline; }
nav .logout { margin-left: auto; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
h1 { font-size: 1.4rem; margin: .6rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line); }
th { background: #f0f3f6; font-weight: 600; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; }
.muted, .ago, .hint { color: var(--muted); }
.ago { font-size: .85em; display: block; }
.reasons { margin: 0; padding-left: 1.1rem; }
.reason-failed, .reason-undelivered { color: var(--bad); }
.reason-escalated { color: var(--warn); }
.error { color: var(--bad); font-weight: 600; }
.notice { background: #dafbe1; border: 1px solid #aceebb; padding: .5rem .8rem; border-radius: 6px; }
.state { padding: .5rem .8rem; border-radius: 6px; border: 1px solid var(--line); background: #fff; }
.state.paused { border-color: #d4a72c; background: #fff8c5; }
.state.active { border-color: #aceebb; background: #f0fff4; }
.actions { display: flex; gap: .6rem; margin: .8rem 0; }
button { font: inherit; padding: .35rem .9rem; border-radius: 6px; border: 1px solid #b6bec8; background: #f6f8fa; cursor: pointer; }
button:disabled { opacity: .45; cursor: default; }
.login { display: flex; flex-direction: column; gap: .5rem; max-width: 22rem; }
.login input { font: inherit; padding: .4rem .5rem; border: 1px solid #b6bec8; border-radius: 6px; }
.transcript { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: .5rem; }
.msg { max-width: 75%; padding: .45rem .7rem; border-radius: 8px; background: #fff; border: 1px solid var(--line); }
.msg.guest { align-self: flex-start; }
.msg.assistant { align-self: flex-end; background: #ddf4ff; border-color: #b6e3ff; }
.msg.staff { align-self: flex-end; background: #fff8c5; border-color: #eed888; }
.msg .meta { font-size: .8em; color: var(--muted); }
.msg .who { font-weight: 600; }
.msg .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.msg.imported { border-style: dashed; background: #f6f8fa; }
.msg.assistant.imported { background: #eef6fb; }
.tag { display: inline-block; font-size: .75em; line-height: 1.3; padding: 0 .4em; border-radius: 4px; border: 1px solid var(--line); background: #eaeef2; color: var(--muted); }
.quick-search, .search-row { display: flex; gap: .3rem; }
.quick-search input, .search-form input { font: inherit; padding: .3rem .5rem; border: 1px solid #b6bec8; border-radius: 6px; }
.quick-search input { width: 10rem; }
.search-form { display: flex; flex-direction: column; gap: .4rem; max-width: 32rem; }
.search-form input { flex: 1; }
.figures { display: flex; flex-wrap: wrap; gap: .8rem; }
.figure { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .7rem 1rem; min-width: 9rem; }
.figure .value { display: block; font-size: 1.8rem; font-weight: 600; }
.figure .label { color: var(--muted); }
.figure.failures .value { color: var(--bad); }
.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
.days { margin-top: 1rem; }
`;
