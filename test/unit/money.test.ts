import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currencyExponent, formatMoney, toDecimal, toMinor } from '../../src/platform/money.ts';

test('decimal strings become integer minor units in the currency’s exponent', () => {
  assert.equal(toMinor('29.99', 'GBP'), 2999);
  assert.equal(toMinor('30', 'GBP'), 3000);
  assert.equal(toMinor('0.1', 'EUR'), 10);
  assert.equal(toMinor('-5.50', 'USD'), -550);
  assert.equal(toMinor('1500', 'JPY'), 1500);
  assert.equal(toMinor('1.234', 'BHD'), 1234);
  assert.equal(toMinor('29.990', 'GBP'), 2999);
  assert.equal(toMinor('0.005', 'GBP'), 1, 'a third digit rounds half away from zero');
  assert.equal(toMinor('-0.005', 'GBP'), -1);
  assert.equal(toMinor('-0.00', 'GBP'), 0);
  // No float drift where floats would drift: 0.1 + 0.2 style values stay exact.
  assert.equal(toMinor('1.15', 'GBP') + toMinor('2.30', 'GBP'), 345);
});

test('bad amounts and currencies are refused by name', () => {
  for (const bad of ['', '1,50', '1.5.0', 'abc', '1e3', ' - 1']) {
    assert.throws(() => toMinor(bad, 'GBP'), /is not a decimal amount/, bad);
  }
  assert.throws(() => toMinor('1.00', 'XX1'), /not an ISO 4217/);
  assert.throws(() => toMinor('99999999999999999999', 'GBP'), /too large/);
});

test('minor units go back to decimals and to what a person reads', () => {
  assert.equal(toDecimal(2999, 'GBP'), '29.99');
  assert.equal(toDecimal(5, 'GBP'), '0.05');
  assert.equal(toDecimal(-550, 'USD'), '-5.50');
  assert.equal(toDecimal(1500, 'JPY'), '1500');
  assert.equal(currencyExponent('JPY'), 0);
  assert.equal(formatMoney(2999, 'GBP'), '£29.99');
  assert.equal(formatMoney(-550, 'EUR'), '-€5.50');
  for (const minor of [0, 1, 99, 100, 123456789, -42])
    assert.equal(toMinor(toDecimal(minor, 'GBP'), 'GBP'), minor);
});

test('an amount converts at a decimal rate in integers, rounded once half away from zero', async () => {
  const { convertMinor } = await import('../../src/platform/money.ts');
  assert.equal(convertMinor(3810, 'EUR', 'GBP', '0.87'), 3315); // 33.147
  assert.equal(convertMinor(-3810, 'EUR', 'GBP', '0.87'), -3315);
  assert.equal(convertMinor(50, 'EUR', 'GBP', '0.87'), 44); // 43.5 rounds away from zero
  assert.equal(convertMinor(10000, 'GBP', 'JPY', '191.23'), 19123); // £100 → ¥19,123 (no minor unit)
  assert.equal(convertMinor(19123, 'JPY', 'GBP', '0.0052293'), 10000); // 100.0000...
  assert.equal(convertMinor(123456789, 'USD', 'GBP', '0.7912345678'), 97683279); // 97683279.086…
  assert.throws(() => convertMinor(1, 'EUR', 'GBP', '1e3'), /not an exchange rate/);
});
