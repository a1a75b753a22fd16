// Why a number of the printed register has no case, as the register says it (in Vietnamese:
// the register is an official document whatever the UI's language).
import type { Gap } from './bindings/Gap';

/** Formats Unix milliseconds as a date. */
type DateFmt = (ms: number) => string;

function pc(name: string | null): string {
  return name ? `máy “${name}”` : 'một máy của đơn vị';
}

export function gapText(g: Gap, date: DateFmt): string {
  const on = g.at_ms != null ? ` ngày ${date(g.at_ms)}` : '';
  switch (g.reason) {
    case 'leased':
      return `cấp cho ${pc(g.device_name)}${on}, chưa dùng`;
    case 'returned':
      return `cấp cho ${pc(g.device_name)}, đã trả lại${on}; sẽ cấp lại trước các số khác`;
    case 'used_elsewhere':
      return `đã dùng trên ${pc(g.device_name)}, chưa đồng bộ về máy này`;
    case 'reserved':
      return `để dành làm số dự phòng khi ${pc(g.device_name)} làm việc ngoại tuyến`;
    case 'skipped':
      return `bỏ qua vì ${pc(g.device_name)} đã dùng ${g.by_seq != null ? `số ${g.by_seq}` : 'một số lớn hơn'} ngoài các số được cấp (làm việc ngoại tuyến đã hết số, hoặc ứng dụng phiên bản cũ); sẽ cấp ở lần lấy số tới`;
    case 'not_leased':
      return 'chưa cấp cho máy nào (được để dành khi các số sau được cấp); sẽ cấp ở lần lấy số tới';
    case 'unknown':
      return 'chưa rõ lý do: máy này chưa nhận sổ số của Công an tỉnh, hãy đồng bộ rồi in lại';
  }
}
