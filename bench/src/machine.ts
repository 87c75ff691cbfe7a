import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** The machine a result was measured on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  /** bytes */
  memory: number;
  platform: string;
  arch: string;
  node: string;
  /** version of onnxruntime-node if any workspace package can load it */
  onnxruntimeNode?: string;
}

/** Finds the version of `name` as seen from the bench package or one of the workspace packages. */
function versionOf(name: string, from: string[]): string | undefined {
  for (const dir of from) {
    try {
      const require = createRequire(join(dir, 'package.json'));
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      // not resolvable from here
    }
  }
  return undefined;
}

/** Describes this machine (CPU, cores, memory, Node and ONNX Runtime versions). */
export function machineInfo(benchDir: string): MachineInfo {
  const cpu = cpus();
  const info: MachineInfo = {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory: totalmem(),
    platform: process.platform,
    arch: process.arch,
    node: process.version,
  };
  const ort = versionOf('onnxruntime-node', [benchDir, join(benchDir, '../packages/pipeline')]);
  if (ort !== undefined) info.onnxruntimeNode = ort;
  return info;
}
