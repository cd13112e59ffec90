// Shared with the sync server's console search, so both read a date range as Stockholm days.
export { startOfDayIn } from '../../../src-shared/domain/zone';
