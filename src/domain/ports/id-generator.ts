/** Makes unique event ids; injected so tests can predict them. */
export interface IdGenerator {
  next(): string;
}
