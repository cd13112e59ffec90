// Owned by the integrations work (issue 4): durable provider jobs.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobTables {}
