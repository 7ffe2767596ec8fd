/**
 * `freezeClass(...classes)`: make the tester's own classes unchangeable once defined. A submission runs
 * in the same process as the tester; freezing the class and its prototype means that reassigning, say,
 * `Network.prototype.reliable` or a config's `checkOneLeader` throws a TypeError (modules are strict)
 * instead of quietly changing what the tests check. Instances stay writable: they are the tester's state.
 */
export function freezeClass(...classes: (abstract new (...args: never[]) => unknown)[]): void {
  for (const cls of classes) {
    Object.freeze(cls.prototype);
    Object.freeze(cls);
  }
}
