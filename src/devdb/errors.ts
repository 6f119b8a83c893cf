/** MongoDB server error codes used by devdb, with their official code names. */
export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  PathNotViable: 28,
  ConflictingUpdateOperators: 40,
  CursorNotFound: 43,
  NamespaceExists: 48,
  InvalidIdField: 53,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  NoReplicationEnabled: 76,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CommandNotSupported: 115,
  InvalidPipelineOperator: 168,
  CannotIndexParallelArrays: 171,
  DuplicateKey: 11000,
  UnrecognizedPipelineStage: 40324,
} as const;

const codeNames = new Map<number, string>(Object.entries(ErrorCodes).map(([k, v]) => [v, k]));
codeNames.set(ErrorCodes.UnrecognizedPipelineStage, 'Location40324');

/** An error that is reported to the client as a MongoDB command or write error. */
export class MongoError extends Error {
  readonly code: number;
  readonly codeName: string;
  /** Extra fields copied into the error reply (e.g. keyPattern, keyValue). */
  readonly extra: Record<string, unknown>;

  constructor(code: number, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MongoError';
    this.code = code;
    this.codeName = codeNames.get(code) ?? `Location${code}`;
    this.extra = extra;
  }

  /** The `{ok: 0, errmsg, code, codeName}` reply document. */
  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }

  /** The entry of a `writeErrors` array. */
  toWriteError(index: number): Record<string, unknown> {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/** Shorthand constructors for the common failures. */
export const fail = {
  badValue: (msg: string) => new MongoError(ErrorCodes.BadValue, msg),
  parse: (msg: string) => new MongoError(ErrorCodes.FailedToParse, msg),
  typeMismatch: (msg: string) => new MongoError(ErrorCodes.TypeMismatch, msg),
  notSupported: (msg: string) => new MongoError(ErrorCodes.CommandNotSupported, `${msg} (not supported by devdb)`),
  nsNotFound: (ns: string) => new MongoError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${ns}`),
};

/** Turns anything thrown while running a command into a MongoError (mingo errors become BadValue etc.). */
export function toMongoError(err: unknown): MongoError {
  if (err instanceof MongoError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.constructor.name : '';
  if (name === 'MingoError') {
    let m = /unregistered pipeline operator (\$\w+)/.exec(message);
    if (m) return new MongoError(ErrorCodes.UnrecognizedPipelineStage, `Unrecognized pipeline stage name: '${m[1]}'`);
    m = /(?:accumulator|expression|operator) '?(\$\w+)'? is not registered/.exec(message);
    if (m) return new MongoError(ErrorCodes.InvalidPipelineOperator, `Unrecognized expression '${m[1]}'`);
    m = /unknown (?:top level |query )?operator:? (\$\w+)/.exec(message);
    if (m) return new MongoError(ErrorCodes.BadValue, `unknown operator: ${m[1]}`);
    return new MongoError(ErrorCodes.BadValue, message);
  }
  return new MongoError(ErrorCodes.InternalError, message);
}
