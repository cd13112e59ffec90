import type { Migration } from 'kysely';
import { m000_activity } from './000_activity';
import { m001_core } from './001_core';
import { m002_jobs } from './002_jobs';
import { m003_sync } from './003_sync';
import { m004_order_activation } from './004_order_activation';
import { m005_money_voids } from './005_money_voids';
import { m006_patient_search_prefixes } from './006_patient_search_prefixes';
import { m007_notice_handling } from './007_notice_handling';

/**
 * Ordered by name; a shipped migration is never edited, only followed by a new one.
 * Each area owns its own files: 000 activity chain, 001 core store, 002 durable provider jobs.
 */
export const localMigrations: Record<string, Migration> = {
  '000_activity': m000_activity,
  '001_core': m001_core,
  '002_jobs': m002_jobs,
  '003_sync': m003_sync,
  '004_order_activation': m004_order_activation,
  '005_money_voids': m005_money_voids,
  '006_patient_search_prefixes': m006_patient_search_prefixes,
  '007_notice_handling': m007_notice_handling,
};
