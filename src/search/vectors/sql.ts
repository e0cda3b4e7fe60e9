/**
 * LanceDB filters are DataFusion SQL strings. Ids and namespaces come from users, so every value is
 * quoted as a string literal (single quotes doubled), never spliced raw.
 */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** `column IN ('a','b')` */
export const inList = (column: string, values: readonly string[]): string =>
  `${column} IN (${values.map(sqlString).join(',')})`;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
