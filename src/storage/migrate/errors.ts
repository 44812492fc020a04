/** A migration refused or failed for a reason the user can act on (the message says which flag or key). */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}
