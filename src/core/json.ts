// JSON as data: what transcript items keep of a provider's objects and what instruction trees are made of.
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
