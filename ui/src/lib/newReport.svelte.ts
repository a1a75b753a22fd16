// The intake form's content lives outside the component: it survives a trip to another
// screen, a lock, and a failed save. It is cleared only after a successful save.
import { toLocalInput } from './format';

export interface PersonDraft {
  role: string;
  name: string;
  birth_year: string;
  /** `YYYY-MM-DD` from the date input, or empty. */
  birth_date: string;
  phone: string;
  id_number: string;
  address: string;
  /** The person's reference in this draft: stays the same when others are removed. */
  ref: number;
  /** For a guardian: the `ref` of the minor they answer for, or null. */
  guardian_of: number | null;
}

let nextRef = 1;
export function newPersonDraft(role: string): PersonDraft {
  return { role, name: '', birth_year: '', birth_date: '', phone: '', id_number: '', address: '', ref: nextRef++, guardian_of: null };
}

/**
 * The persons that are sent (those with a name), each with the position, in that list, of the
 * minor a guardian answers for: the core resolves it to the minor's id when it writes them.
 * A link to a person removed or left without a name, or from someone no longer a guardian, is
 * dropped rather than sent pointing at the wrong person.
 */
export function personsToSend(persons: PersonDraft[]): { person: PersonDraft; guardian_of_index: number | null }[] {
  const sent = persons.filter((p) => p.name.trim());
  return sent.map((p) => {
    const i = p.role === 'guardian' && p.guardian_of !== null ? sent.findIndex((m) => m.ref === p.guardian_of && m !== p && m.role !== 'guardian') : -1;
    return { person: p, guardian_of_index: i >= 0 ? i : null };
  });
}

export interface FileDraft {
  file: File;
  url: string;
}

export function emptyDraft() {
  return {
    paste: '',
    channel: 'zalo',
    channel_ref: '',
    kind: 'to_giac',
    category: '',
    urgency: 'normal',
    received_at: toLocalInput(),
    occurred: '',
    summary: '',
    description: '',
    commune: null as string | null,
    hamlet: '',
    address: '',
    anonymous: false,
    reporter: { name: '', phone: '', address: '', id_number: '' },
    persons: [] as PersonDraft[],
    files: [] as FileDraft[],
    // The receipt record: empty place = the station's seat; empty finish = at receipt.
    receipt_place: '',
    receipt_finished: '',
    handed_over: '',
  };
}

export const draft = $state(emptyDraft());

export function resetDraft(commune: string | null) {
  for (const f of draft.files) URL.revokeObjectURL(f.url);
  Object.assign(draft, emptyDraft(), { commune });
}

/** Age in a given year and the administrative-sanction band of a minor (art. 134). */
export function minorBand(birthYear: number | null, year: number): 'under14' | '14-16' | '16-18' | null {
  if (!birthYear) return null;
  const age = year - birthYear;
  if (age < 0 || age >= 18) return null;
  if (age < 14) return 'under14';
  if (age < 16) return '14-16';
  return '16-18';
}

/** The documents and objects handed over, one per line of the form's box. */
export function handedOverItems(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The band from the date of birth when known (age counted to the day `on`, `YYYY-MM-DD`).
 * From the year alone, the younger of the two possible ages, as the core counts it (everyone
 * born that year has had their birthday only on 31 December).
 */
export function minorBandOn(birthDate: string, birthYear: number | null, on: string): 'under14' | '14-16' | '16-18' | null {
  const b = birthDate.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  const d = on.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (!b) {
    if (!birthYear) return null;
    const year = d ? Number(d[1]) : new Date().getFullYear();
    const lastDay = d ? `${d[2]}-${d[3]}` === '12-31' : false;
    return minorBand(lastDay ? birthYear : birthYear + 1, year);
  }
  if (!d) return minorBand(Number(b[1]), new Date().getFullYear());
  let age = Number(d[1]) - Number(b[1]);
  if (`${d[2]}-${d[3]}` < `${b[2]}-${b[3]}`) age -= 1;
  return minorBand(Number(d[1]) - age, Number(d[1]));
}
