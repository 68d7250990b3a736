// Public exports of the GDB remote stub (re-exported by src/index.ts).
export { escapeBinary, framePacket, fromHex, GDB_INTERRUPT, hex32le, PacketReader, packetChecksum, parseHex32le, toHex, unescapeBinary } from "./packet.js";
export type { PacketEvent } from "./packet.js";
export { GDB_I386_GENERAL_COUNT, GDB_I386_REGISTERS } from "./target.js";
export type { BreakpointType, GdbStop, GdbTarget } from "./target.js";
export { I386_TARGET_XML } from "./target-xml.js";
export { GDB_PACKET_SIZE, GdbSession } from "./session.js";
export type { GdbSessionEnd, GdbSessionOptions } from "./session.js";
export { MachineDebugger } from "./machine-debugger.js";
export type { DebugMachine, DriverStop, MachineDriver } from "./machine-debugger.js";
export { cpuDriver, createCpuTarget, walkLinear } from "./cpu-target.js";
export type { CpuDriverOptions } from "./cpu-target.js";
export { createGuestTarget } from "./guest-target.js";
