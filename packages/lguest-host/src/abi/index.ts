/**
 * `@littleguest/lguest-host/abi`: the constants and layouts of the lguest ABI this Host
 * speaks (lguest-abi.md, the 3.x column), for Guests, Launchers and tools that must agree
 * with it without pulling in the Host itself.
 */
export * from "./hypercalls.js";
export * from "./lguest-data.js";
export {
  CHANGED_ALL,
  CHANGED_GDT,
  CHANGED_GDT_TLS,
  CHANGED_IDT,
  GDT_ENTRIES,
  GDT_ENTRY_DEFAULT_USER_CS,
  GDT_ENTRY_DEFAULT_USER_DS,
  GDT_ENTRY_DOUBLEFAULT_TSS,
  GDT_ENTRY_KERNEL_CS,
  GDT_ENTRY_KERNEL_DS,
  GDT_ENTRY_LGUEST_CS,
  GDT_ENTRY_LGUEST_DS,
  GDT_ENTRY_LDT,
  GDT_ENTRY_TLS_ENTRIES,
  GDT_ENTRY_TLS_MIN,
  GDT_ENTRY_TSS,
  GUEST_PL,
  KERNEL_CS_SEL,
  KERNEL_DS_SEL,
  LGUEST_CS,
  LGUEST_DS,
  LGUEST_REGS_SIZE,
  LGUEST_TRAP_ENTRY,
  REGS,
  SWITCHER_ADDR,
  SWITCHER_PGD_INDEX,
  SWITCHER_RESERVE_BYTES,
  TRAPNUM_IN_SWITCHER,
  TSS_SEL,
  USER_CS_SEL,
  USER_DS_SEL,
} from "@littleguest/switcher";
