// React access to the engine client: provided once by main.tsx, used by features to send commands.
import { createContext, useContext } from 'react';
import type { EngineClient } from './engine-client';

export const EngineContext = createContext<EngineClient | null>(null);

export function useEngine(): EngineClient {
  const client = useContext(EngineContext);
  if (!client) throw new Error('useEngine() outside <EngineContext.Provider>');
  return client;
}
