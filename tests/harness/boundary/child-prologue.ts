/**
 * The child's first module after random-setup, as worker/prologue.ts is the worker's: real timers become
 * tripwires before the student's modules load, so that a timer function kept from load time fails the
 * run with its call site (RealTimerError), exactly as it does in `npm test`. Once the modules have
 * loaded, child-main.ts puts the tester-driven stand-ins in their place for every later call.
 */
import { installTripwires } from '../real-timers';

installTripwires();
