// carveout plan — placeholder until its issue lands.
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('carveout plan: not implemented yet\n');
  return 2;
}
