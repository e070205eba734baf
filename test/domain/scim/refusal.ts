import { AppError } from "../../../src/errors";

/** The AppError a pure SCIM function throws; fails the test when it returns or throws anything else. */
export function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError, but the call returned");
}
