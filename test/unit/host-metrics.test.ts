// The host figures' parsers on the text of a Raspberry Pi 4's files (USB SSD, SD card, Ethernet),
// and the program answers that are asked at most every 30 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import client from 'prom-client';
import {
  ProgramAnswer,
  mountOf,
  parseCpuTimes,
  parseDiskstats,
  parseMeminfo,
  parseMillidegrees,
  parseMounts,
  parseNetDev,
  parseSynchronised,
  parseThrottled,
  watchHost,
} from '../../src/platform/http/host-metrics.ts';

const PROC_STAT = `cpu  88012 1023 30211 4032101 5120 0 1342 0 0 0
cpu0 22103 251 7634 1006512 1390 0 821 0 0 0
cpu1 21950 260 7502 1008530 1210 0 190 0 0 0
intr 81234567 0 0 0
ctxt 123456789
btime 1700000000
procs_running 2
`;

const MEMINFO = `MemTotal:        3884332 kB
MemFree:          812344 kB
MemAvailable:    2512344 kB
Buffers:           98232 kB
Cached:          1523412 kB
SwapCached:            0 kB
SwapTotal:        102396 kB
SwapFree:          51200 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
`;

const MOUNTS = `/dev/root / ext4 rw,noatime 0 0
devtmpfs /dev devtmpfs rw,relatime,size=1800032k,nr_inodes=450008,mode=755 0 0
proc /proc proc rw,relatime 0 0
/dev/mmcblk0p1 /boot/firmware vfat rw,relatime,fmask=0022,dmask=0022 0 0
/dev/sda1 /srv/shop\\040data ext4 rw,noatime 0 0
tmpfs /run tmpfs rw,nosuid,nodev,size=777000k,mode=755 0 0
`;

const DISKSTATS = `   1       0 ram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
   7       0 loop0 12 0 24 3 0 0 0 0 0 8 3 0 0 0 0 0 0
 179       0 mmcblk0 5102 2310 402396 4125 812 1012 14280 6230 0 7160 10355 0 0 0 0 0 0
 179       1 mmcblk0p1 310 1020 10924 312 2 0 2 1 0 240 313 0 0 0 0 0 0
 179       2 mmcblk0p2 4700 1290 391000 3800 810 1012 14278 6229 0 6900 10029 0 0 0 0 0 0
   8       0 sda 40213 12010 3321476 20110 90211 70332 4120344 110220 0 61230 130330
   8       1 sda1 40100 12010 3320000 20100 90200 70332 4120300 110200 0 61200 130300
 254       0 dm-0 39000 0 3300000 21000 160000 0 4120000 200000 0 61000 221000 0 0 0 0 0 0
`;

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  120332     1020    0    0    0     0          0         0   120332     1020    0    0    0     0       0          0
  eth0:982341234  812334    0   12    0     0          0      3021 123456789   402113    0    0    0     0       0          0
 wlan0:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
`;

test('CPU seconds per CPU and mode from /proc/stat, at 100 ticks a second; the total line is left out', () => {
  const times = parseCpuTimes(PROC_STAT);
  assert.equal(times.length, 16, 'two CPUs, eight modes each');
  assert.deepEqual(
    times.filter((t) => t.cpu === '0').map((t) => [t.mode, t.seconds]),
    [
      ['user', 221.03],
      ['nice', 2.51],
      ['system', 76.34],
      ['idle', 10065.12],
      ['iowait', 13.9],
      ['irq', 0],
      ['softirq', 8.21],
      ['steal', 0],
    ],
  );
  assert.deepEqual(parseCpuTimes(''), []);
});

test('memory fields from /proc/meminfo in bytes', () => {
  const memory = parseMeminfo(MEMINFO);
  assert.equal(memory.get('MemTotal'), 3884332 * 1024);
  assert.equal(memory.get('MemAvailable'), 2512344 * 1024);
  assert.equal(memory.get('SwapTotal'), 102396 * 1024);
  assert.equal(memory.get('SwapFree'), 51200 * 1024);
  assert.equal(memory.get('HugePages_Total'), 0, 'a count, not kB');
});

test('the mount that holds a path: the deepest one, with escaped spaces read back, never a name prefix', () => {
  const mounts = parseMounts(MOUNTS);
  assert.deepEqual(mountOf(mounts, '/srv/shop data/shopkeep'), {
    device: '/dev/sda1',
    mountpoint: '/srv/shop data',
    fstype: 'ext4',
  });
  assert.equal(mountOf(mounts, '/srv/shop datastore')?.mountpoint, '/');
  assert.equal(mountOf(mounts, '/var/lib/shopkeep')?.device, '/dev/root');
  assert.equal(mountOf(mounts, '/')?.fstype, 'ext4');
  assert.equal(mountOf(mounts, '/boot/firmware')?.fstype, 'vfat');
});

test('disks from /proc/diskstats in bytes (512-byte sectors) and seconds, without loops, RAM disks and partitions', () => {
  const disks = parseDiskstats(DISKSTATS);
  assert.deepEqual(
    disks.map((d) => d.device),
    ['mmcblk0', 'sda', 'dm-0'],
  );
  assert.deepEqual(
    disks.find((d) => d.device === 'sda'),
    { device: 'sda', readBytes: 3321476 * 512, writtenBytes: 4120344 * 512, ioTimeSeconds: 61.23 },
  );
  assert.equal(disks.find((d) => d.device === 'mmcblk0')?.ioTimeSeconds, 7.16);
});

test('network bytes from /proc/net/dev without the loopback, also when a count touches the colon', () => {
  assert.deepEqual(parseNetDev(NET_DEV), [
    { device: 'eth0', receiveBytes: 982341234, transmitBytes: 123456789 },
    { device: 'wlan0', receiveBytes: 0, transmitBytes: 0 },
  ]);
});

test('a thermal zone in degrees Celsius from millidegrees; nothing readable is no figure', () => {
  assert.equal(parseMillidegrees('48850\n'), 48.85);
  assert.equal(parseMillidegrees('-5000'), -5);
  assert.equal(parseMillidegrees(''), undefined);
  assert.equal(parseMillidegrees('unknown'), undefined);
});

const active = (output: string) =>
  parseThrottled(output)
    ?.filter((t) => t.active === 1)
    .map((t) => `${t.condition}:${t.when}`);

test("a Pi's throttled bits: 0x50005 is under-voltage and throttling now and since boot", () => {
  assert.deepEqual(active('throttled=0x50005\n'), [
    'under_voltage:now',
    'under_voltage:since_boot',
    'throttled:now',
    'throttled:since_boot',
  ]);
  const all = parseThrottled('throttled=0x50005')!;
  assert.equal(all.length, 8, 'every condition, now and since boot, 0 or 1');
  assert.deepEqual(
    all.find((t) => t.condition === 'frequency_capped' && t.when === 'now'),
    { condition: 'frequency_capped', when: 'now', active: 0 },
  );
});

test('0x0 is a healthy Pi; 0x20000 a frequency cap since boot; 0x80008 the soft temperature limit now', () => {
  assert.deepEqual(active('throttled=0x0'), []);
  assert.equal(parseThrottled('throttled=0x0')?.length, 8);
  assert.deepEqual(active('throttled=0x20000'), ['frequency_capped:since_boot']);
  assert.deepEqual(active('throttled=0x80008'), [
    'soft_temperature_limit:now',
    'soft_temperature_limit:since_boot',
  ]);
  assert.equal(parseThrottled('VCHI initialization failed'), undefined, 'no answer, no figures');
});

test("timedatectl's NTPSynchronized answer", () => {
  assert.equal(parseSynchronised('yes\n'), true);
  assert.equal(parseSynchronised('no\n'), false);
  assert.equal(parseSynchronised(''), undefined);
});

test('a program is asked at most once every 30 s, and one that is not installed answers nothing', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sk-host-'));
  try {
    const asks = path.join(dir, 'asks');
    const answer = new ProgramAnswer('sh', ['-c', `echo asked >> '${asks}'; echo throttled=0x50005`], active);
    for (let scrape = 0; scrape < 3; scrape += 1)
      assert.deepEqual((await answer.read())?.length, 4, `scrape ${scrape}`);
    assert.equal(readFileSync(asks, 'utf8'), 'asked\n', 'asked once');
    const missing = new ProgramAnswer('shopkeep-no-such-program', [], parseThrottled);
    assert.equal(await missing.read(), undefined);
    assert.equal(await missing.read(), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the real host: the figures Linux always has, and nothing labelled with made-up values', async () => {
  const registry = new client.Registry();
  watchHost(registry, tmpdir());
  const text = await registry.metrics();
  for (const name of ['node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_time_seconds'])
    assert.match(text, new RegExp(`^${name}(\\{| )`, 'm'), name);
  assert.match(text, /^node_filesystem_avail_bytes\{mountpoint="\/",fstype="[^"]+",device="[^"]+"\} \d+/m);
  assert.doesNotMatch(text, /device="lo"/);
  assert.doesNotMatch(text, /NaN|undefined/);
});
