// Runs one bench module and prints its figures: `tsx --initial-old-space-size=256 --conditions=source src/one.ts <name> [--smoke]`.
const [name, flag] = process.argv.slice(2);
const mod = (await import(`./benches/${name}.ts`)).default;
const figures = await mod.run({ smoke: flag === '--smoke', log: (s: string) => console.error(s) });
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
for (const f of figures) {
  const peer = f.peer && 'samples' in f.peer ? med(f.peer.samples) : undefined;
  console.log(
    `${f.name}: ${med(f.samples).toFixed(3)} ${f.unit}${peer !== undefined ? ` | peer ${peer.toFixed(3)} | ratio ${(med(f.samples) / peer).toFixed(3)}` : ''}`,
  );
}
