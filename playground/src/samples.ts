/** The bundled sample photos (public/samples/, licences in public/samples/LICENSES.md). */
export interface Sample {
  file: string;
  name: string;
  credit: string;
}

export const SAMPLES: readonly Sample[] = [
  { file: 'chelsea.jpg', name: 'Chelsea the cat', credit: 'Stefan van der Walt, CC0' },
  { file: 'coffee.jpg', name: 'Coffee', credit: 'Rachel Michetti, CC0' },
  { file: 'astronaut.jpg', name: 'Astronaut', credit: 'NASA, public domain' },
  { file: 'rocket.jpg', name: 'Rocket', credit: 'SpaceX, public domain' },
];
