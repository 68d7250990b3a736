/**
 * `@littleguest/switcher`: the lguest Switcher, the few pages mapped at the same address in
 * the Host and in every Guest through which the CPU changes worlds.
 */
export * from "./layout.js";
export * from "./descriptors.js";
export { SWITCH_TO_GUEST, STUB_STRIDE, STUBS_OFFSET, stubCode, stubOffset, switcherText, switchToGuestCode } from "./text.js";
export { stubAddress, Switcher, SWITCHER_ROUTE_BASE } from "./switcher.js";
export type { SwitcherExit, SwitcherGuest, SwitcherOptions } from "./switcher.js";
export { SwitcherError } from "./switcher-error.js";
export type { SwitcherErrorCode } from "./switcher-error.js";
