/**
 * The I/O port space: 64 Ki byte-addressed ports, each claimed by a device.
 *
 * Reference: SDM Vol. 1 §18 (I/O). A 16- or 32-bit access is offered whole to
 * the device that claims its first port. Lookups are one array read.
 */
import { X86CoreError } from "../errors.js";

/** A device behind some I/O ports. */
export interface PortDevice {
  /** Read `size` bytes at `port`. */
  read(port: number, size: 1 | 2 | 4): number;
  /** Write the low `size` bytes of `value` at `port`. */
  write(port: number, size: 1 | 2 | 4, value: number): void;
}

/** Routes IN/OUT to devices. */
export class PortBus {
  private readonly devices: (PortDevice | undefined)[] = new Array(0x10000).fill(undefined);
  private readonly names: (string | undefined)[] = new Array(0x10000).fill(undefined);

  /**
   * Claim `count` ports from `first` for `device`.
   * @returns a disposer that releases the ports.
   * @throws X86CoreError (`port-conflict`, `port-range`) when a port is already claimed or out of range.
   */
  register(first: number, count: number, device: PortDevice, name: string): () => void {
    if (first < 0 || count < 1 || first + count > 0x10000) {
      throw new X86CoreError("port-range", `${name}: ports ${first}+${count} are outside 0..0xffff`);
    }
    for (let p = first; p < first + count; p++) {
      const owner = this.names[p];
      if (owner !== undefined) {
        throw new X86CoreError("port-conflict", `${name}: port 0x${p.toString(16)} is already claimed by ${owner}`);
      }
    }
    for (let p = first; p < first + count; p++) {
      this.devices[p] = device;
      this.names[p] = name;
    }
    return () => {
      for (let p = first; p < first + count; p++) {
        if (this.devices[p] === device) {
          this.devices[p] = undefined;
          this.names[p] = undefined;
        }
      }
    };
  }

  /** The device claiming `port`, if any. */
  deviceAt(port: number): PortDevice | undefined {
    return this.devices[port & 0xffff];
  }

  /** The name the device at `port` registered with. */
  nameAt(port: number): string | undefined {
    return this.names[port & 0xffff];
  }
}
