import { Router } from 'express';
import { requireJsonOrForm } from '../../http/body';
import { validateBody } from '../../openapi/validator';
import { COMMENT_FIELDS } from '../../domain/comments/fields';
import { CommentRow, CommentService } from '../../domain/comments/service';
import type { Viewer } from '../../core/caller';
import { accountIdOf, recordIdOf } from './params';
import { serializeRecord } from './serialize';

export const serializeComment = (r: CommentRow) => serializeRecord(COMMENT_FIELDS, r);

/** An account's comments in the v2 shape (also `?expand=comments` on an account). */
export class CommentsV2 {
  constructor(readonly service: CommentService) {}

  async list(viewer: Viewer, accountId: number): Promise<Record<string, unknown>[]> {
    return (await this.service.list(viewer, accountId)).map(serializeComment);
  }
}

/** `/api/v2/crm/accounts/:id/comments` (list, add). */
export function accountCommentRoutes(v2: CommentsV2): Router {
  const r = Router({ mergeParams: true });
  r.get('/', async (req, res) => {
    res.json(await v2.list(req.user!, accountIdOf(req.params)));
  });
  r.post('/', requireJsonOrForm, async (req, res) => {
    const input = validateBody('CommentWrite', req.body, req.bodyFormat!);
    res.json(serializeComment(await v2.service.create(req.user!, accountIdOf(req.params), { comment: input.comment as string })));
  });
  return r;
}

/** `/api/v2/crm/comments/:id` (edit, delete). */
export function commentRoutes(v2: CommentsV2): Router {
  const r = Router();
  for (const method of ['put', 'post'] as const) {
    r[method]('/:id', requireJsonOrForm, async (req, res) => {
      const input = validateBody('CommentWrite', req.body, req.bodyFormat!);
      res.json(serializeComment(await v2.service.update(req.user!, recordIdOf(req.params), { comment: input.comment as string })));
    });
  }
  r.delete('/:id', async (req, res) => {
    await v2.service.remove(req.user!, recordIdOf(req.params));
    res.status(204).end();
  });
  return r;
}
