/**
 * The first module of every isolated worker's bundle (after boot.js): capture the real timers and put
 * tripwires over the globals before any test or student module loads (see real-timers.ts).
 */
import { installTripwires } from '../real-timers';

installTripwires();
