// The platforms a guest writes from (conversation ids are src/core/conversation-id.ts).
export type Channel = 'whatsapp' | 'facebook' | 'instagram';
