// The UI reaches the backend only through the callers generated from the Rust command list
// (bindings/commands.ts, sent by api.ts's `call`): no command name is typed by hand.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, commands, type Invoke } from './bindings/commands';

const sources = import.meta.glob<string>(['/src/**/*.ts', '/src/**/*.svelte', '!/src/lib/commands.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('commands', () => {
  it('has one caller per declared command, sending its name', async () => {
    const sent: string[] = [];
    const invoke: Invoke = async <T>(command: string) => {
      sent.push(command);
      return undefined as T;
    };
    const callers = Object.values(commands(invoke)) as ((...args: unknown[]) => Promise<unknown>)[];
    for (const f of callers) await f();
    expect(sent).toEqual([...COMMAND_NAMES]);
  });

  it('are sent from the generated callers only', () => {
    const files = Object.keys(sources);
    expect(files).toContain('/src/lib/api.ts');
    expect(files).toContain('/src/lib/bindings/commands.ts');
    const byName = /\b(?:invoke|call)\s*(?:<[^>()]*>)?\s*\(\s*['"`]/;
    for (const [file, text] of Object.entries(sources)) {
      if (file !== '/src/lib/api.ts') {
        expect(text, `${file} imports Tauri's invoke: use api from lib/api.ts`).not.toMatch(/@tauri-apps\/api\/core/);
      }
      if (file !== '/src/lib/bindings/commands.ts') {
        expect(text, `${file} sends a command by its name: use api from lib/api.ts`).not.toMatch(byName);
      }
    }
  });
});
