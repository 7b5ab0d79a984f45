// How alerts behave: when an open warning is sent again as critical, and how old a secret may get.
import type { SettingsReader } from '../../../platform/kit/settings.ts';

export interface AlertSettings {
  escalateAfterHours: number;
  secretRotationDays: number;
}

export function alertSettings(read: SettingsReader): AlertSettings {
  return {
    escalateAfterHours: read.integer('SHOPKEEP_ALERT_ESCALATE_HOURS', 12, 1, 24 * 14),
    secretRotationDays: read.integer('SHOPKEEP_SECRET_ROTATION_DAYS', 365, 7, 3650),
  };
}
