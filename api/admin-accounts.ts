import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { hashPassword } from './auth.js';
import { RegisterBody } from './schemas.js';

/**
 * Creates an admin account, or makes an existing account an admin (its password is then left as it is).
 * The only way to an admin: registering never grants it, whatever the email.
 * @returns whether the account was created or promoted
 * @example await createAdmin(db, { email: 'ops@example.com', name: 'Ops', password })
 */
export async function createAdmin(db: Db, input: { email: string; name: string; password?: string }): Promise<'created' | 'promoted'> {
  const email = input.email.trim().toLowerCase();
  const promoted = await db.updateTable('users').set({ role: 'admin' }).where('email', '=', email).returning('id').executeTakeFirst();
  if (promoted) return 'promoted';
  if (input.password === undefined) throw new Error(`No account has the email ${email}; give a password to create one.`);
  const body = RegisterBody.parse({ email, name: input.name, password: input.password });
  await db.insertInto('users').values({ id: randomUUID(), name: body.name, email: body.email, password_hash: await hashPassword(body.password), role: 'admin' }).execute();
  return 'created';
}
