import nodemailer from 'nodemailer';
import { MailConfig } from '../config';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  html: string;
}

/** What the worker needs from SMTP: send one message, get its id or an error. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export function smtpTransport(smtp: NonNullable<MailConfig['smtp']>): MailTransport {
  const t = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(mail) {
      const info = await t.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, html: mail.html });
      return { messageId: String(info.messageId ?? '') };
    },
    close: () => t.close(),
  };
}
