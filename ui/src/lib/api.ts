// Typed wrappers over the app's commands. Every type comes from ./bindings, generated from
// the Rust types (cargo test -p tinbao-desktop), so the UI cannot drift from the backend.
import { invoke } from '@tauri-apps/api/core';
import type { Action } from './bindings/Action';
import type { AppSettings } from './bindings/AppSettings';
import type { AppStatus } from './bindings/AppStatus';
import type { AttachmentData } from './bindings/AttachmentData';
import type { CaseDetail } from './bindings/CaseDetail';
import type { CaseRow } from './bindings/CaseRow';
import type { CmdError } from './bindings/CmdError';
import type { Commune } from './bindings/Commune';
import type { FileUpload } from './bindings/FileUpload';
import type { IntakeResult } from './bindings/IntakeResult';
import type { NewCase } from './bindings/NewCase';
import type { NewPerson } from './bindings/NewPerson';
import type { NewUser } from './bindings/NewUser';
import type { Province } from './bindings/Province';
import type { Reporter } from './bindings/Reporter';
import type { SearchPage } from './bindings/SearchPage';
import type { SearchQuery } from './bindings/SearchQuery';
import type { SessionInfo } from './bindings/SessionInfo';
import type { SetupInput } from './bindings/SetupInput';
import type { User } from './bindings/User';
import type { Vocab } from './bindings/Vocab';
import type { Today } from './bindings/Today';
import type { SyncState } from './bindings/SyncState';
import type { Period } from './bindings/Period';
import type { Stats } from './bindings/Stats';
import type { ExportResult } from './bindings/ExportResult';
import type { BackupFile } from './bindings/BackupFile';
import type { VerifyReport } from './bindings/VerifyReport';
import type { Label } from './bindings/Label';
import type { Inquiry } from './bindings/Inquiry';
import type { NewInquiry } from './bindings/NewInquiry';
import type { AnswerTemplate } from './bindings/AnswerTemplate';
import type { TemplateInput } from './bindings/TemplateInput';
import type { ChannelInfo } from './bindings/ChannelInfo';
import type { NewChannel } from './bindings/NewChannel';
import type { Post } from './bindings/Post';
import type { NewPost } from './bindings/NewPost';
import type { SyncSummary } from './bindings/SyncSummary';
import type { AuditRecord } from './bindings/AuditRecord';

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

export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
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

export const api = {
  appStatus: () => call<AppStatus>('app_status'),
  provinces: () => call<Province[]>('admin_provinces'),
  communes: (province: string | null) => call<Commune[]>('admin_communes', { province }),
  setup: (input: SetupInput) => call<SessionInfo>('setup', { input }),
  login: (username: string, password: string) => call<SessionInfo>('login', { username, password }),
  lock: () => call<void>('lock'),
  logout: () => call<void>('logout'),
  touch: () => call<void>('touch'),

  vocab: () => call<Vocab>('vocab'),
  intake: (c: NewCase, files: FileUpload[]) => call<IntakeResult>('intake', { case: c, files }),
  suggestDuplicates: (c: NewCase) => call<CaseRow[]>('suggest_duplicates', { case: c }),
  search: (query: SearchQuery) => call<SearchPage>('search', { query }),
  caseDetail: (id: string) => call<CaseDetail>('case_detail', { id }),
  revealReporter: (id: string) => call<Reporter | null>('reveal_reporter', { id }),
  act: (id: string, action: Action) => call<CaseDetail>('act', { id, action }),
  addPerson: (id: string, person: NewPerson) => call<CaseDetail>('add_person', { id, person }),
  addAttachment: (id: string, file: FileUpload) => call<CaseDetail>('add_attachment', { id, file }),
  attachmentData: (sha256: string) => call<AttachmentData>('attachment_data', { sha256 }),
  recordPrint: (id: string, what: string) => call<void>('record_print', { id, what }),

  users: () => call<User[]>('users'),
  createUser: (user: NewUser) => call<User>('create_user', { user }),
  setUserActive: (id: string, active: boolean) => call<void>('set_user_active', { id, active }),
  changePassword: (old: string, next: string) => call<void>('change_password', { old, new: next }),
  resetUserPassword: (id: string, password: string) => call<void>('reset_user_password', { id, password }),
  usersWithoutKey: () => call<string[]>('users_without_key'),
  settings: () => call<AppSettings>('settings'),
  setLockMinutes: (minutes: number) => call<void>('set_lock_minutes', { minutes }),

  today: () => call<Today>('today'),
  syncStatus: () => call<SyncState | null>('sync_status'),
  reportPeriod: (year: number | null, month: number | null) => call<Period>('report_period', { year, month }),
  stats: (from: number, to: number) => call<Stats>('stats', { from, to }),
  exportStatsXlsx: (from: number, to: number) => call<ExportResult>('export_stats_xlsx', { from, to }),
  exportStatsPdf: (from: number, to: number) => call<ExportResult>('export_stats_pdf', { from, to }),
  exportRegisterCsv: (includeReporter: boolean) => call<ExportResult>('export_register_csv', { includeReporter }),
  backup: () => call<ExportResult>('backup'),
  backups: () => call<BackupFile[]>('backups'),
  restore: (path: string) => call<VerifyReport>('restore', { path }),
  damagedBackups: (username: string, password: string) => call<BackupFile[]>('damaged_backups', { username, password }),
  restoreDamaged: (username: string, password: string, path: string) =>
    call<VerifyReport>('restore_damaged', { username, password, path }),

  inquiryTopics: () => call<Label[]>('inquiry_topics'),
  inquiries: () => call<Inquiry[]>('inquiries'),
  addInquiry: (inquiry: NewInquiry) => call<string>('add_inquiry', { inquiry }),
  answerTemplates: () => call<AnswerTemplate[]>('answer_templates'),
  saveAnswerTemplate: (template: TemplateInput) => call<string>('save_answer_template', { template }),
  channels: () => call<ChannelInfo[]>('channels'),
  addChannel: (channel: NewChannel) => call<string>('add_channel', { channel }),
  recordFollowers: (channel: string, on: string, followers: number) =>
    call<void>('record_followers', { channel, on, followers }),
  posts: () => call<Post[]>('posts'),
  addPost: (post: NewPost) => call<string>('add_post', { post }),
  setPostReach: (id: string, views: number, reactions: number) => call<void>('set_post_reach', { id, views, reactions }),

  enrolDevice: (server: string, code: string, deviceName: string) =>
    call<SyncState>('enrol_device', { server, code, deviceName }),
  syncNow: () => call<SyncSummary>('sync_now'),
  auditLog: () => call<AuditRecord[]>('audit_log'),
};

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
