// The platforms a guest writes from (conversation ids are src/conversation-id.ts).
export type Channel = 'whatsapp' | 'facebook' | 'instagram';
