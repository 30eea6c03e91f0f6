import { Injectable } from '@nestjs/common';

export type DependencyName = 'database' | 'archivist' | 'cache' | 'ai';
export type DependencyStatus = 'connected' | 'available' | 'unavailable' | 'disabled';
export type DependencyProbe = () => Promise<DependencyStatus>;

/** Probes registered by the modules that own each dependency; unregistered ones report "disabled". */
@Injectable()
export class HealthRegistry {
  private readonly probes = new Map<DependencyName, DependencyProbe>();

  register(name: DependencyName, probe: DependencyProbe): void {
    this.probes.set(name, probe);
  }

  probe(name: DependencyName): DependencyProbe | undefined {
    return this.probes.get(name);
  }
}
