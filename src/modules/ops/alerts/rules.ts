// shopkeep's own alert rules, for a box without Prometheus: what is wrong now, read from the host and
// the job queue, each finding with its priority and what the owner can do about it. Pure: the same
// reading gives the same findings (deploy/prometheus has the same rules for those who run Prometheus).
import type { HostSnapshot } from '../../../platform/http/host-metrics.ts';

export type Priority = 'info' | 'warning' | 'critical';

export interface Reading {
  host: HostSnapshot;
  /** Where the data directory lives: its filesystem is the one that matters. */
  dataDir: string;
  /** Jobs that failed every attempt and wait for the owner. */
  deadLetters: number;
  /** Failed logins in the last 15 minutes, with the addresses they came from. */
  failedLogins: { count: number; ips: string[] };
}

export interface Finding {
  /** One alert per rule is open at a time: 'disk-full', 'temperature'. */
  rule: string;
  priority: Priority;
  title: string;
  body: string;
}

const GB = 1024 ** 3;
export const FAILED_LOGINS_ALERT = 10;

export function findings(reading: Reading): Finding[] {
  const found: Finding[] = [];
  const { host } = reading;

  const data = dataFilesystem(host.filesystems, reading.dataDir);
  if (data && data.sizeBytes > 0) {
    const share = data.availBytes / data.sizeBytes;
    const free = `${(data.availBytes / GB).toFixed(1)} GB free of ${(data.sizeBytes / GB).toFixed(1)} GB (${Math.round(share * 100)} %) on ${data.mountpoint}`;
    if (share < 0.05 || data.availBytes < GB)
      found.push({
        rule: 'disk',
        priority: 'critical',
        title: 'The disk is almost full',
        body: `${free}. A full disk stops the database and the backups: delete old files or move the data to a bigger disk now.`,
      });
    else if (share < 0.15)
      found.push({
        rule: 'disk',
        priority: 'warning',
        title: 'The disk is filling up',
        body: `${free}. Make room soon (old media, logs), or plan a bigger disk.`,
      });
  }

  const total = host.memory.get('MemTotal');
  const available = host.memory.get('MemAvailable');
  if (total && available !== undefined && available / total < 0.08)
    found.push({
      rule: 'memory',
      priority: 'warning',
      title: 'Memory is running out',
      body: `Only ${Math.round(available / 2 ** 20)} MB of ${Math.round(total / 2 ** 20)} MB is available. Stop what else runs on the box, or restart shopkeep if it is shopkeep that grew.`,
    });

  const hottest = Math.max(...host.thermalZones.map((zone) => zone.celsius));
  if (hottest >= 85)
    found.push({
      rule: 'temperature',
      priority: 'critical',
      title: 'The box is overheating',
      body: `${hottest.toFixed(0)} °C. It is slowing itself down and may stop: give it air, a fan or a case that cools.`,
    });
  else if (hottest >= 80)
    found.push({
      rule: 'temperature',
      priority: 'warning',
      title: 'The box is running hot',
      body: `${hottest.toFixed(0)} °C: at 80 °C a Raspberry Pi slows down. Give it air or a fan.`,
    });

  const underVoltage = host.throttled?.find(
    (t) => t.condition === 'under_voltage' && t.when === 'now' && t.active,
  );
  if (underVoltage)
    found.push({
      rule: 'power',
      priority: 'critical',
      title: 'The power supply is too weak',
      body: 'The Raspberry Pi reports under-voltage now. That corrupts disks: use the official 5.1 V / 3 A supply and a short, thick cable.',
    });

  if (host.clockSynchronised === false)
    found.push({
      rule: 'clock',
      priority: 'warning',
      title: 'The clock is not synchronised',
      body: 'A Raspberry Pi has no clock of its own: without network time, two-factor codes, HTTPS and schedules go wrong. Check the network and `timedatectl`.',
    });

  if (reading.deadLetters > 0)
    found.push({
      rule: 'dead-letters',
      priority: 'warning',
      title: `${reading.deadLetters} job(s) failed every attempt`,
      body: 'They wait on the Operations page: read why, fix it, then retry or dismiss them.',
    });

  if (reading.failedLogins.count >= FAILED_LOGINS_ALERT)
    found.push({
      rule: 'failed-logins',
      priority: 'warning',
      title: 'Many failed logins',
      body: `${reading.failedLogins.count} failed logins in 15 minutes, from ${reading.failedLogins.ips.slice(0, 5).join(', ') || 'unknown addresses'}. If it was not you or your staff, someone is guessing passwords: the accounts lock themselves; check fail2ban and consider a VPN.`,
    });

  return found;
}

/** The filesystem the data directory is on: the longest mount point that holds it. */
function dataFilesystem(filesystems: HostSnapshot['filesystems'], dataDir: string) {
  const holds = (mountpoint: string) =>
    dataDir === mountpoint || dataDir.startsWith(mountpoint.endsWith('/') ? mountpoint : `${mountpoint}/`);
  return filesystems
    .filter((fs) => holds(fs.mountpoint))
    .sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0];
}
