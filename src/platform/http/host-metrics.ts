// The host's figures at /metrics under node_exporter's names, so a Pi needs no node_exporter beside
// shopkeep: CPU, load, memory, the filesystems of the data dir and /, disks, network, temperatures, the
// time and whether the clock is synchronised, and the Pi's under-voltage and throttling (vcgencmd).
// Read at scrape time from /proc and /sys, asynchronously and in parallel. The parsers take a file's
// text and nothing else. A file that is not there (no thermal zone in a container, no /proc outside
// Linux) leaves its series out: absent, never an error and never a made-up 0. The two figures that
// need a program are asked at most every 30 s, and only the very first scrape waits for them.
import { execFile } from 'node:child_process';
import { access, readdir, readFile, realpath, statfs } from 'node:fs/promises';
import os from 'node:os';
import client from 'prom-client';
import { oncePerScrape } from './once-per-scrape.ts';

/** The kernel's clock ticks per second in /proc/stat (USER_HZ; 100 on every Linux shopkeep runs on). */
export const USER_HZ = 100;
/** /proc/diskstats counts 512-byte sectors whatever the disk's own sector size. */
const SECTOR_BYTES = 512;
const PROGRAM_EVERY_MS = 30_000;
const THERMAL_DIR = '/sys/class/thermal';
/** Written by systemd-timesyncd once it has synchronised the clock since boot. */
const TIMESYNC_FILE = '/run/systemd/timesync/synchronized';

// ---- Parsers: the text of a file (or a program's answer) in, figures out.

const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export interface CpuTime {
  cpu: string;
  mode: (typeof CPU_MODES)[number];
  seconds: number;
}

/** Seconds each CPU spent in each mode, from /proc/stat (the `cpuN` lines; guest time is inside user). */
export function parseCpuTimes(stat: string): CpuTime[] {
  const times: CpuTime[] = [];
  for (const line of stat.split('\n')) {
    const match = /^cpu(\d+)\s+(.+)$/.exec(line);
    if (!match) continue;
    const ticks = match[2]!.trim().split(/\s+/).map(Number);
    CPU_MODES.forEach((mode, index) => {
      const value = ticks[index];
      if (value !== undefined && Number.isFinite(value))
        times.push({ cpu: match[1]!, mode, seconds: value / USER_HZ });
    });
  }
  return times;
}

/** /proc/meminfo as bytes by field name (`MemAvailable` → 1234567890). */
export function parseMeminfo(meminfo: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of meminfo.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (!match) continue;
    fields.set(match[1]!, Number(match[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1));
  }
  return fields;
}

export interface Mount {
  device: string;
  mountpoint: string;
  fstype: string;
}

/** /proc/self/mounts; spaces and other odd characters in paths are octal escapes there (`\040`). */
export function parseMounts(mounts: string): Mount[] {
  const unescape = (field: string) =>
    field.replace(/\\([0-7]{3})/g, (_all, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return mounts.split('\n').flatMap((line) => {
    const [device, mountpoint, fstype] = line.split(' ');
    if (!device || !mountpoint || !fstype) return [];
    return [{ device: unescape(device), mountpoint: unescape(mountpoint), fstype }];
  });
}

/** The mount that holds `file` (an absolute path without symbolic links): the deepest, the last of equals. */
export function mountOf(mounts: Mount[], file: string): Mount | undefined {
  let found: Mount | undefined;
  for (const mount of mounts) {
    const holds =
      file === mount.mountpoint ||
      file.startsWith(mount.mountpoint.endsWith('/') ? mount.mountpoint : `${mount.mountpoint}/`);
    if (holds && (!found || mount.mountpoint.length >= found.mountpoint.length)) found = mount;
  }
  return found;
}

export interface DiskCounters {
  device: string;
  readBytes: number;
  writtenBytes: number;
  ioTimeSeconds: number;
}

/** Not disks (loop files, RAM disks, floppies), and partitions, whose whole disk is listed too. */
const NOT_A_DISK = /^(loop|ram|zram|fd)\d+$/;
const PARTITION = /^((sd|vd|hd|xvd)[a-z]+\d+|(mmcblk|nvme\d+n)\d+p\d+)$/;

/** /proc/diskstats: the third field is the name; sectors read 6th, written 10th, ms doing I/O 13th. */
export function parseDiskstats(diskstats: string): DiskCounters[] {
  return diskstats.split('\n').flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    const device = fields[2];
    if (!device || fields.length < 14 || NOT_A_DISK.test(device) || PARTITION.test(device)) return [];
    const [sectorsRead, sectorsWritten, ioMs] = [fields[5], fields[9], fields[12]].map(Number);
    if (![sectorsRead, sectorsWritten, ioMs].every((n) => Number.isFinite(n))) return [];
    return [
      {
        device,
        readBytes: sectorsRead! * SECTOR_BYTES,
        writtenBytes: sectorsWritten! * SECTOR_BYTES,
        ioTimeSeconds: ioMs! / 1000,
      },
    ];
  });
}

export interface NetworkCounters {
  device: string;
  receiveBytes: number;
  transmitBytes: number;
}

/** /proc/net/dev without the loopback: 8 receive columns then 8 transmit, bytes first in each. */
export function parseNetDev(netDev: string): NetworkCounters[] {
  return netDev.split('\n').flatMap((line) => {
    const colon = line.indexOf(':');
    if (colon < 0) return [];
    const device = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    const [receiveBytes, transmitBytes] = [fields[0], fields[8]];
    if (!device || device === 'lo' || !Number.isFinite(receiveBytes) || !Number.isFinite(transmitBytes))
      return [];
    return [{ device, receiveBytes: receiveBytes!, transmitBytes: transmitBytes! }];
  });
}

/** A thermal zone's `temp` file (millidegrees Celsius) in degrees. */
export function parseMillidegrees(temp: string): number | undefined {
  const text = temp.trim();
  return /^-?\d+$/.test(text) ? Number(text) / 1000 : undefined;
}

const THROTTLE_CONDITIONS = [
  'under_voltage',
  'frequency_capped',
  'throttled',
  'soft_temperature_limit',
] as const;

export interface Throttle {
  condition: (typeof THROTTLE_CONDITIONS)[number];
  when: 'now' | 'since_boot';
  active: 0 | 1;
}

/** `vcgencmd get_throttled` (`throttled=0x50005`): bits 0-3 are now, bits 16-19 the same since boot. */
export function parseThrottled(output: string): Throttle[] | undefined {
  const match = /throttled=0x([0-9a-f]+)/i.exec(output);
  if (!match) return undefined;
  const bits = parseInt(match[1]!, 16);
  return THROTTLE_CONDITIONS.flatMap((condition, bit): Throttle[] => [
    { condition, when: 'now', active: (bits >> bit) & 1 ? 1 : 0 },
    { condition, when: 'since_boot', active: (bits >> (bit + 16)) & 1 ? 1 : 0 },
  ]);
}

/** `timedatectl show -p NTPSynchronized --value`: the kernel's own flag (adjtimex), whichever daemon set it. */
export function parseSynchronised(output: string): boolean | undefined {
  const answer = output.trim();
  return answer === 'yes' ? true : answer === 'no' ? false : undefined;
}

// ---- Reading the host.

export interface Filesystem extends Mount {
  sizeBytes: number;
  availBytes: number;
}

export interface ThermalZone {
  zone: string;
  type: string;
  celsius: number;
}

export interface HostSnapshot {
  cpu: CpuTime[];
  memory: Map<string, number>;
  filesystems: Filesystem[];
  disks: DiskCounters[];
  networks: NetworkCounters[];
  thermalZones: ThermalZone[];
  throttled: Throttle[] | undefined;
  clockSynchronised: boolean | undefined;
}

const readText = (file: string): Promise<string | undefined> => readFile(file, 'utf8').catch(() => undefined);

/** A program's answer, asked at most every 30 s; a program that is not installed is never asked again. */
export class ProgramAnswer<T> {
  private answer: T | undefined;
  private askedAt = -Infinity;
  private asking: Promise<void> | undefined;
  private notInstalled = false;

  constructor(
    private readonly command: string,
    private readonly args: string[],
    private readonly parse: (output: string) => T | undefined,
  ) {}

  /** The latest answer; a stale one is refreshed in the background (the first ask is waited for). */
  async read(): Promise<T | undefined> {
    if (this.notInstalled) return undefined;
    if (!this.asking && Date.now() - this.askedAt >= PROGRAM_EVERY_MS) {
      const first = this.askedAt === -Infinity;
      this.askedAt = Date.now();
      this.asking = this.ask().finally(() => (this.asking = undefined));
      if (first) await this.asking;
    }
    return this.answer;
  }

  private ask(): Promise<void> {
    return new Promise((resolve) => {
      execFile(this.command, this.args, { timeout: 5000 }, (error, stdout) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') this.notInstalled = true;
        this.answer = error ? undefined : this.parse(stdout);
        resolve();
      });
    });
  }
}

const vcgencmd = new ProgramAnswer('vcgencmd', ['get_throttled'], parseThrottled);
const timedatectl = new ProgramAnswer(
  'timedatectl',
  ['show', '-p', 'NTPSynchronized', '--value'],
  parseSynchronised,
);

/** timedatectl when it answers; else the file timesyncd leaves once synchronised; else unknown. */
async function clockSynchronised(): Promise<boolean | undefined> {
  const answer = await timedatectl.read();
  if (answer !== undefined) return answer;
  return access(TIMESYNC_FILE).then(
    () => true,
    () => undefined,
  );
}

/** The filesystems holding `paths`, each once (the data dir is often on /). */
async function filesystems(paths: string[]): Promise<Filesystem[]> {
  const mounts = parseMounts((await readText('/proc/self/mounts')) ?? '');
  const holding = new Map<string, Mount>();
  for (const real of await Promise.all(paths.map((file) => realpath(file).catch(() => undefined)))) {
    const mount = real === undefined ? undefined : mountOf(mounts, real);
    if (mount) holding.set(mount.mountpoint, mount);
  }
  const found = await Promise.all(
    [...holding.values()].map(async (mount): Promise<Filesystem | undefined> => {
      const stats = await statfs(mount.mountpoint).catch(() => undefined);
      if (!stats) return undefined;
      return { ...mount, sizeBytes: stats.blocks * stats.bsize, availBytes: stats.bavail * stats.bsize };
    }),
  );
  return found.filter((filesystem) => filesystem !== undefined);
}

async function thermalZones(): Promise<ThermalZone[]> {
  const names = (await readdir(THERMAL_DIR).catch(() => [])).filter((name) => /^thermal_zone\d+$/.test(name));
  const zones = await Promise.all(
    names.map(async (name): Promise<ThermalZone | undefined> => {
      const [temp, type] = await Promise.all([
        readText(`${THERMAL_DIR}/${name}/temp`),
        readText(`${THERMAL_DIR}/${name}/type`),
      ]);
      const celsius = temp === undefined ? undefined : parseMillidegrees(temp);
      if (celsius === undefined) return undefined;
      return { zone: name.slice('thermal_zone'.length), type: type?.trim() ?? '', celsius };
    }),
  );
  return zones.filter((zone) => zone !== undefined);
}

/** Everything at once, in parallel; what cannot be read is left out. */
export async function readHost(dataDir: string): Promise<HostSnapshot> {
  const [stat, meminfo, diskstats, netDev, mounted, zones, throttled, synchronised] = await Promise.all([
    readText('/proc/stat'),
    readText('/proc/meminfo'),
    readText('/proc/diskstats'),
    readText('/proc/net/dev'),
    filesystems([dataDir, '/']),
    thermalZones(),
    vcgencmd.read(),
    clockSynchronised(),
  ]);
  return {
    cpu: stat === undefined ? [] : parseCpuTimes(stat),
    memory: meminfo === undefined ? new Map() : parseMeminfo(meminfo),
    filesystems: mounted,
    disks: diskstats === undefined ? [] : parseDiskstats(diskstats),
    networks: netDev === undefined ? [] : parseNetDev(netDev),
    thermalZones: zones,
    throttled,
    clockSynchronised: synchronised,
  };
}

// ---- The metrics.

type Sample<L extends string> = [labels: Partial<Record<L, string>>, value: number];

/** Registers the host's metrics in `registry`; they read the host when Prometheus scrapes. */
export function watchHost(registry: client.Registry, dataDir: string): void {
  const host = oncePerScrape(() => readHost(dataDir));
  const define = <L extends string>(
    kind: 'gauge' | 'counter',
    name: string,
    help: string,
    labelNames: readonly L[],
    samples: (host: HostSnapshot) => Sample<L>[],
  ) => {
    const fill = async (metric: client.Gauge<L> | client.Counter<L>, write: (s: Sample<L>) => void) => {
      const snapshot = await host();
      const now = snapshot ? samples(snapshot) : [];
      metric.reset();
      // A metric without labels would otherwise say 0 when the figure is unknown.
      if (labelNames.length === 0) metric.remove();
      for (const sample of now) write(sample);
    };
    const options = { name, help, labelNames, registers: [registry] };
    if (kind === 'gauge')
      new client.Gauge<L>({
        ...options,
        async collect() {
          await fill(this, ([labels, value]) => this.set(labels, value));
        },
      });
    else
      new client.Counter<L>({
        ...options,
        async collect() {
          await fill(this, ([labels, value]) => this.inc(labels, value));
        },
      });
  };
  const field = (name: string) => (h: HostSnapshot) => {
    const value = h.memory.get(name);
    return value === undefined ? [] : [[{}, value] as Sample<never>];
  };

  define('counter', 'node_cpu_seconds_total', 'Seconds the CPUs spent in each mode', ['cpu', 'mode'], (h) =>
    h.cpu.map(({ cpu, mode, seconds }) => [{ cpu, mode }, seconds]),
  );
  // os.loadavg() says 0 where there is no load average (Windows); shopkeep runs where there is one.
  (['1', '5', '15'] as const).forEach((minutes, index) =>
    define('gauge', `node_load${minutes}`, `${minutes}m load average`, [], () =>
      process.platform === 'linux' ? [[{}, os.loadavg()[index]!]] : [],
    ),
  );
  for (const name of ['MemTotal', 'MemAvailable', 'SwapTotal', 'SwapFree'])
    define('gauge', `node_memory_${name}_bytes`, `Memory information field ${name}_bytes`, [], field(name));
  const filesystem = ['mountpoint', 'fstype', 'device'] as const;
  define('gauge', 'node_filesystem_size_bytes', 'Filesystem size in bytes', filesystem, (h) =>
    h.filesystems.map((f) => [{ mountpoint: f.mountpoint, fstype: f.fstype, device: f.device }, f.sizeBytes]),
  );
  define(
    'gauge',
    'node_filesystem_avail_bytes',
    'Filesystem space available to non-root users in bytes',
    filesystem,
    (h) =>
      h.filesystems.map((f) => [
        { mountpoint: f.mountpoint, fstype: f.fstype, device: f.device },
        f.availBytes,
      ]),
  );
  define('counter', 'node_disk_read_bytes_total', 'Bytes read from the disk', ['device'], (h) =>
    h.disks.map((d) => [{ device: d.device }, d.readBytes]),
  );
  define('counter', 'node_disk_written_bytes_total', 'Bytes written to the disk', ['device'], (h) =>
    h.disks.map((d) => [{ device: d.device }, d.writtenBytes]),
  );
  define('counter', 'node_disk_io_time_seconds_total', 'Seconds the disk spent doing I/O', ['device'], (h) =>
    h.disks.map((d) => [{ device: d.device }, d.ioTimeSeconds]),
  );
  define('counter', 'node_network_receive_bytes_total', 'Bytes received', ['device'], (h) =>
    h.networks.map((n) => [{ device: n.device }, n.receiveBytes]),
  );
  define('counter', 'node_network_transmit_bytes_total', 'Bytes sent', ['device'], (h) =>
    h.networks.map((n) => [{ device: n.device }, n.transmitBytes]),
  );
  define('gauge', 'node_thermal_zone_temp', 'Zone temperature in Celsius', ['zone', 'type'], (h) =>
    h.thermalZones.map((z) => [{ zone: z.zone, type: z.type }, z.celsius]),
  );
  define('gauge', 'node_time_seconds', 'System time in seconds since the epoch', [], () => [
    [{}, Date.now() / 1000],
  ]);
  define(
    'gauge',
    'node_timex_sync_status',
    'Is the clock synchronised to a reliable server (1 = yes)',
    [],
    (h) => (h.clockSynchronised === undefined ? [] : [[{}, h.clockSynchronised ? 1 : 0]]),
  );
  define(
    'gauge',
    'shopkeep_pi_throttled',
    'Raspberry Pi power and heat conditions from vcgencmd get_throttled (1 = present)',
    ['condition', 'when'],
    (h) => (h.throttled ?? []).map((t) => [{ condition: t.condition, when: t.when }, t.active]),
  );
}
