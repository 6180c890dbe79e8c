import { Module } from '@nestjs/common';
import { NaiveController } from './naive.controller';

@Module({ controllers: [NaiveController] })
export class NaiveModule {}
