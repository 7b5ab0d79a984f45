// shopkeep's own alert rules on readings of a host: a healthy Pi has none; each trouble the issue
// names gives its finding with the right priority and words that say what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, type Reading } from '../../src/modules/ops/alerts/rules.ts';
import type { HostSnapshot } from '../../src/platform/http/host-metrics.ts';

const GB = 1024 ** 3;

function reading(host: Partial<HostSnapshot> = {}, rest: Partial<Reading> = {}): Reading {
  return {
    host: {
      cpu: [],
      memory: new Map([
        ['MemTotal', 4 * GB],
        ['MemAvailable', 2 * GB],
      ]),
      filesystems: [
        { device: '/dev/sda2', mountpoint: '/', fstype: 'ext4', sizeBytes: 240 * GB, availBytes: 180 * GB },
      ],
      disks: [],
      networks: [],
      thermalZones: [{ zone: '0', type: 'cpu-thermal', celsius: 52 }],
      throttled: [
        { condition: 'under_voltage', when: 'now', active: 0 },
        { condition: 'under_voltage', when: 'since_boot', active: 1 },
      ],
      clockSynchronised: true,
      ...host,
    },
    dataDir: '/var/lib/shopkeep',
    deadLetters: 0,
    failedLogins: { count: 0, ips: [] },
    ...rest,
  };
}

const rules = (r: Reading) => findings(r).map((f) => `${f.rule}:${f.priority}`);

test('a healthy Pi has nothing to say (an under-voltage since boot, not now, is not an alert)', () => {
  assert.deepEqual(findings(reading()), []);
});

test('disk: filling up is a warning, nearly full (5 % or under 1 GB) is critical', () => {
  const disk = (avail: number, size = 240 * GB) =>
    reading({
      filesystems: [
        { device: '/dev/sda2', mountpoint: '/', fstype: 'ext4', sizeBytes: size, availBytes: avail },
      ],
    });
  assert.deepEqual(rules(disk(30 * GB)), ['disk:warning']);
  assert.deepEqual(rules(disk(10 * GB)), ['disk:critical']);
  assert.deepEqual(rules(disk(0.8 * GB, 8 * GB)), ['disk:critical']);
  assert.match(findings(disk(10 * GB))[0]!.body, /10\.0 GB free of 240\.0 GB \(4 %\) on \//);
});

test('the data directory’s own filesystem is the one that counts', () => {
  const r = reading({
    filesystems: [
      { device: '/dev/mmcblk0p2', mountpoint: '/', fstype: 'ext4', sizeBytes: 30 * GB, availBytes: 1.5 * GB },
      {
        device: '/dev/sda1',
        mountpoint: '/var/lib/shopkeep',
        fstype: 'ext4',
        sizeBytes: 240 * GB,
        availBytes: 200 * GB,
      },
    ],
  });
  assert.deepEqual(rules(r), []);
});

test('memory, heat, power, clock, dead letters and failed logins', () => {
  assert.deepEqual(
    rules(
      reading({
        memory: new Map([
          ['MemTotal', 4 * GB],
          ['MemAvailable', 0.2 * GB],
        ]),
      }),
    ),
    ['memory:warning'],
  );
  assert.deepEqual(rules(reading({ thermalZones: [{ zone: '0', type: 'cpu', celsius: 81 }] })), [
    'temperature:warning',
  ]);
  assert.deepEqual(rules(reading({ thermalZones: [{ zone: '0', type: 'cpu', celsius: 86.5 }] })), [
    'temperature:critical',
  ]);
  assert.deepEqual(rules(reading({ throttled: [{ condition: 'under_voltage', when: 'now', active: 1 }] })), [
    'power:critical',
  ]);
  assert.deepEqual(rules(reading({ clockSynchronised: false })), ['clock:warning']);
  // Unknown (no timedatectl, no thermal zone in a container) is not a finding.
  assert.deepEqual(
    rules(reading({ clockSynchronised: undefined, thermalZones: [], throttled: undefined })),
    [],
  );
  assert.deepEqual(rules(reading({}, { deadLetters: 2 })), ['dead-letters:warning']);
  const guessed = findings(reading({}, { failedLogins: { count: 12, ips: ['203.0.113.9'] } }));
  assert.deepEqual(
    guessed.map((f) => f.rule),
    ['failed-logins'],
  );
  assert.match(guessed[0]!.body, /12 failed logins in 15 minutes, from 203\.0\.113\.9/);
  assert.deepEqual(rules(reading({}, { failedLogins: { count: 9, ips: ['203.0.113.9'] } })), []);
});
