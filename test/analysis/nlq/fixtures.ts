import type { NlqColumn } from '../../../analysis/nlq/query.js';

/** vega-datasets' cars.json as Assay reads it. */
export const CARS: NlqColumn[] = [
  { name: 'Name', type: 'categorical', categories: ['ford pinto', 'toyota corolla', 'amc matador', 'ford maverick'] },
  { name: 'Miles_per_Gallon', type: 'float' },
  { name: 'Cylinders', type: 'integer' },
  { name: 'Displacement', type: 'float' },
  { name: 'Horsepower', type: 'integer' },
  { name: 'Weight_in_lbs', type: 'integer' },
  { name: 'Acceleration', type: 'float' },
  { name: 'Year', type: 'datetime', storage_type: 'DATE', range: { min: '1970-01-01', max: '1982-01-01' } },
  { name: 'Origin', type: 'categorical', categories: ['USA', 'Japan', 'Europe'] },
];

/** A sales table: daily orders over one year. */
export const SALES: NlqColumn[] = [
  { name: 'order_date', type: 'datetime', storage_type: 'DATE', range: { min: '2024-01-01', max: '2024-12-31' } },
  { name: 'region', type: 'categorical', categories: ['North', 'South', 'East', 'West'] },
  { name: 'product', type: 'categorical', categories: ['Widget', 'Gadget', 'Gizmo'] },
  { name: 'units', type: 'integer' },
  { name: 'unit_price', type: 'float' },
  { name: 'revenue', type: 'float' },
  { name: 'customer_name', type: 'text' },
  { name: 'returned', type: 'boolean', categories: ['true', 'false'] },
];
