// The app's commands for the screens: `api.intake(c, files)` and the like. The callers and
// every type come from ./bindings, generated from the Rust command list and types
// (src-tauri/commands/mod.rs; cargo test -p tinbao-desktop), so the UI cannot drift from the
// backend. What is written here by hand is what is not generated: how a failure reaches the
// screens (ApiError, with the backend's Vietnamese sentence) and the lock.
import { invoke } from '@tauri-apps/api/core';
import type { CmdError } from './bindings/CmdError';
import type { FileUpload } from './bindings/FileUpload';
import { commands } from './bindings/commands';

/** A command's failure, with the Vietnamese sentence the backend wrote for the officer. */
export class ApiError extends Error {
  kind: CmdError['kind'];
  constructor(e: CmdError) {
    super(e.message);
    this.kind = e.kind;
  }
}

type LockListener = () => void;
const lockListeners = new Set<LockListener>();
/** Called whenever a command answers that the session is locked. */
export function onLocked(fn: LockListener): () => void {
  lockListeners.add(fn);
  return () => lockListeners.delete(fn);
}

/** Sends one command (the generated callers' only way to the backend). */
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (raw) {
    const e =
      raw && typeof raw === 'object' && 'message' in raw && 'kind' in raw
        ? new ApiError(raw as CmdError)
        : new ApiError({ kind: 'other', message: `Lỗi không mong đợi: ${String(raw)}. Hãy thử lại; nếu còn lỗi, khởi động lại ứng dụng.` });
    if (e.kind === 'locked') lockListeners.forEach((f) => f());
    throw e;
  }
}

/** One typed function per command, named as the command in camelCase. */
export const api = commands(call);

/** Reads a File as base64 for a command (screenshots and documents of a few MB). */
export async function fileToUpload(f: File): Promise<FileUpload> {
  const buf = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  const chunk = 0x8000;
  for (let i = 0; i < buf.length; i += chunk) bin += String.fromCharCode(...buf.subarray(i, i + chunk));
  return { name: f.name, data_base64: btoa(bin) };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
